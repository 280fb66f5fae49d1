from rongcuo.cli import main

main()
