"""What a suite holds and which of it runs: discovery, requirements, scripts, the
substitutions, expected files, selection and sharding."""
