"""A code-scanning service (the quick start's application) with its tables as SQLModel models."""
