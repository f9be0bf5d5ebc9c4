// The test assembly is a web app so tests can host real SDK-based apps in-process.
