"""Request-time transformations: one definition, evaluated in the warehouse for training frames
and in Python for online reads.

An expression body is parsed once, when its ``OnDemandView`` is defined, into a *program*: a small
JSON tree of the operators both sides support (``program``). The catalog stores the program, so
the online read path evaluates it (``evaluate``) without a SQL parser, and the compiler renders the
same tree for each warehouse (``virtualfs.compile.on_demand``). A Python body is kept as its source
text and rebuilt from it (``python``).
"""
