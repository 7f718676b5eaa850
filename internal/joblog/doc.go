// Package joblog reads one CI job log as a stream and extracts what a person
// needs: sections, the failing command, the exit code, runner messages and
// ranked excerpt blocks, with a category and a hint from a knowledge base of
// failure patterns.
package joblog
