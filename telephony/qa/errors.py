"""Errors of the QA console, KPIs and privacy APIs: a message and the HTTP status to answer."""


class QAError(Exception):
    def __init__(self, message: str, *, status: int = 400) -> None:
        super().__init__(message)
        self.status = status
