"""The API's gunicorn worker class: what it does beyond gunicorn's sync worker, besides problem answers
(those are tested from outside, in tests/e2e/test_embedded_run.py)."""

import gc

from val.http.gunicorn_worker import ProblemSyncWorker


class _LoadedApp:
    """gunicorn's application object: the worker asks it for the WSGI callable once, at boot."""

    def wsgi(self):
        return lambda environ, start_response: []


def test_an_api_worker_freezes_what_it_built_at_startup_so_full_collections_skip_it():
    worker = object.__new__(ProblemSyncWorker)  # only load_wsgi runs: no sockets, no arbiter
    worker.app = _LoadedApp()
    gc.unfreeze()
    assert gc.get_freeze_count() == 0
    try:
        worker.load_wsgi()
        assert worker.wsgi is not None
        assert gc.get_freeze_count() > 0
    finally:
        gc.unfreeze()
