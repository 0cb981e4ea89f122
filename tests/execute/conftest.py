import pytest

from dslgen.backends import clear_backends
from llm_server import RequestServer


@pytest.fixture(autouse=True)
def fresh_backends():
    clear_backends()
    yield
    clear_backends()


@pytest.fixture
def server():
    with RequestServer() as s:
        yield s
