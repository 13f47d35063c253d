from blogsmith.cli import run

run()
