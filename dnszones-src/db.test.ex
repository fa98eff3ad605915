; Zone of the suite's test domain, for bin/fakens.

test.ex.        NS    exim.test.ex.
exim            A     HOSTIPV4
mx-one          A     V4NET.0.0.1
mail            MX    10 mx-one.test.ex.
