from collections.abc import Callable
from typing import Any, TypeVar

_F = TypeVar("_F", bound=Callable[..., Any])

class Signal:
    def connect(self, receiver: _F) -> _F: ...

worker_ready: Signal
