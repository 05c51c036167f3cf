"""The sandbox network: a loopback fake social network for the demo, tests and benchmarks.

Not a Django app. Importing this package starts nothing: call
``hearth.sandbox.inprocess.start_in_process()`` (no port) or
``hearth.sandbox.server.run(host, port, db_path)`` / ``python -m hearth.sandbox``.
"""
