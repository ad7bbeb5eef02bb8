"""dlquiz: drill the 50 classic deep-learning interview questions with spaced repetition."""

__version__ = "0.1.0"
