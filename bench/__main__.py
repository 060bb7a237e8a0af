import sys

if sys.argv[1:2] == ["corpus"]:
    # `python -m bench corpus DIR`: the importer's coverage of a corpus of models.
    from bench.corpus import main as corpus

    sys.exit(corpus(sys.argv[2:]))

if sys.argv[1:2] == ["browser"]:
    # `python -m bench browser --size L`: the explorer's tour in headless Chromium.
    from bench.browser import main as browser

    browser(sys.argv[2:])
    sys.exit(0)

from bench.harness import main

main()
