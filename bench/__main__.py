import sys

if sys.argv[1:2] == ["corpus"]:
    # `python -m bench corpus DIR`: the importer's coverage of a corpus of models.
    from bench.corpus import main as corpus

    sys.exit(corpus(sys.argv[2:]))

from bench.harness import main

main()
