"""`python -m dlquiz`: the same as the `dlquiz` command."""

from dlquiz.cli import main

main()
