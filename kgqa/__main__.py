"""``python -m kgqa``: the same as the ``kgqa`` command."""

from kgqa.apps.cli import main

main()
