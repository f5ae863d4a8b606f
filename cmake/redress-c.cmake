# The C API (bindings/c) and the Python package (bindings/python). Not built yet.
