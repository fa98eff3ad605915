"""The machine and the binary: probing, host facts, processes, namespaces, containment,
the peers' runtime."""
