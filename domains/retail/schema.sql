-- Retail domain (data from τ-bench, MIT licence: see LICENSE-tau-bench).
-- Portable SQL: SQLite is the reference dialect; PostgreSQL gets a sqlglot transpile.
-- Every list in the τ-bench documents becomes child rows with a `position`, so
-- documents come back in their original order.

CREATE TABLE users (
  user_id TEXT PRIMARY KEY,
  position INTEGER NOT NULL,          -- order of the source file (first match wins in lookups)
  first_name TEXT NOT NULL,
  last_name TEXT NOT NULL,
  email TEXT NOT NULL,
  address1 TEXT NOT NULL,
  address2 TEXT NOT NULL,
  city TEXT NOT NULL,
  country TEXT NOT NULL,
  state TEXT NOT NULL,
  zip TEXT NOT NULL
);

CREATE TABLE payment_methods (
  payment_method_id TEXT PRIMARY KEY,
  user_id TEXT NOT NULL REFERENCES users (user_id),
  position INTEGER NOT NULL,
  source TEXT NOT NULL,               -- credit_card | paypal | gift_card
  brand TEXT,                         -- credit cards only
  last_four TEXT,                     -- credit cards only
  balance DOUBLE PRECISION            -- gift cards only
);

CREATE TABLE products (
  product_id TEXT PRIMARY KEY,
  name TEXT NOT NULL
);

CREATE TABLE variants (
  item_id TEXT PRIMARY KEY,
  product_id TEXT NOT NULL REFERENCES products (product_id),
  position INTEGER NOT NULL,
  available BOOLEAN NOT NULL,
  price DOUBLE PRECISION NOT NULL
);

CREATE TABLE variant_options (
  item_id TEXT NOT NULL REFERENCES variants (item_id),
  position INTEGER NOT NULL,
  name TEXT NOT NULL,
  value TEXT NOT NULL,
  PRIMARY KEY (item_id, position)
);

CREATE TABLE orders (
  order_id TEXT PRIMARY KEY,
  user_id TEXT NOT NULL REFERENCES users (user_id),
  user_position INTEGER NOT NULL,     -- place in the user's list of orders
  address1 TEXT NOT NULL,
  address2 TEXT NOT NULL,
  city TEXT NOT NULL,
  country TEXT NOT NULL,
  state TEXT NOT NULL,
  zip TEXT NOT NULL,
  status TEXT NOT NULL,
  cancel_reason TEXT,
  return_payment_method_id TEXT,
  exchange_payment_method_id TEXT,
  exchange_price_difference DOUBLE PRECISION
);

CREATE TABLE order_items (
  order_id TEXT NOT NULL REFERENCES orders (order_id),
  position INTEGER NOT NULL,
  item_id TEXT NOT NULL REFERENCES variants (item_id),
  price DOUBLE PRECISION NOT NULL,    -- price paid, may differ from today's variant price
  PRIMARY KEY (order_id, position)
);

CREATE TABLE fulfillments (
  order_id TEXT NOT NULL REFERENCES orders (order_id),
  position INTEGER NOT NULL,
  PRIMARY KEY (order_id, position)
);

CREATE TABLE fulfillment_tracking_ids (
  order_id TEXT NOT NULL,
  fulfillment_position INTEGER NOT NULL,
  position INTEGER NOT NULL,
  tracking_id TEXT NOT NULL,
  PRIMARY KEY (order_id, fulfillment_position, position)
);

CREATE TABLE fulfillment_items (
  order_id TEXT NOT NULL,
  fulfillment_position INTEGER NOT NULL,
  position INTEGER NOT NULL,
  item_id TEXT NOT NULL,
  PRIMARY KEY (order_id, fulfillment_position, position)
);

CREATE TABLE payment_history (
  order_id TEXT NOT NULL REFERENCES orders (order_id),
  position INTEGER NOT NULL,
  transaction_type TEXT NOT NULL,     -- payment | refund
  amount DOUBLE PRECISION NOT NULL,
  payment_method_id TEXT NOT NULL,
  PRIMARY KEY (order_id, position)
);

-- Items named in a return or exchange request (return_items, exchange_items,
-- exchange_new_items of the τ-bench order document), kept sorted like τ-bench.
CREATE TABLE requested_items (
  order_id TEXT NOT NULL REFERENCES orders (order_id),
  kind TEXT NOT NULL,                 -- return | exchange | exchange_new
  position INTEGER NOT NULL,
  item_id TEXT NOT NULL,
  PRIMARY KEY (order_id, kind, position)
);
