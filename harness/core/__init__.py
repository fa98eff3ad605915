"""The vocabulary every layer shares: results, events, options, exit codes, errors,
generations, paths. Imports nothing else of the harness."""
