// The client puts stdin in raw mode to catch Ctrl-C; under a test runner stdin is no TTY.
if (!process.stdin.setRawMode) {
    process.stdin.setRawMode = () => process.stdin;
}
