"""File migration from the data-center file servers to Azure Files: robocopy passes and name checks."""
