from virtualfs.cli.main import run

run()
