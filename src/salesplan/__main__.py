"""`python -m salesplan` runs the command line."""

from salesplan.cli import main

if __name__ == "__main__":
    main()
