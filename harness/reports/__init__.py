"""Report files written at the end of a run: each format is one listener class here.

To add a format, write a module with a class taking the output path and implementing
`harness.core.events.RunListener`, and give it a row in `harness.cli.commandline.OPTIONS`
(`reporter=`).
"""
