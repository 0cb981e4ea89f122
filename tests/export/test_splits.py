from dslgen.export.splits import split_ids


def test_splits_are_seeded_exact_and_independent_of_order():
    ids = [f"d{i}" for i in range(10)]
    fractions = {"train": 0.8, "validation": 0.1, "test": 0.1}
    a = split_ids(ids, fractions, seed=1)
    assert {k: len(v) for k, v in a.items()} == {"train": 8, "validation": 1, "test": 1}
    assert split_ids(list(reversed(ids)), fractions, seed=1) == a
    assert split_ids(ids, fractions, seed=2) != a
    assert sorted(sum(a.values(), [])) == sorted(ids)


def test_small_sets_round_to_whole_rows():
    assert {k: len(v) for k, v in split_ids(["a", "b", "c"], {"train": 0.8, "test": 0.2}, 0).items()} == {
        "train": 2, "test": 1}
    assert split_ids([], {"train": 1.0}, 0) == {"train": []}
