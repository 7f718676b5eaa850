package diagnose

import "testing"

func TestNormalizeMessage(t *testing.T) {
	tests := []struct{ in, want string }{
		{"[Errno 111] Connection refused", "[Errno N] Connection refused"},
		{"dial tcp 127.0.0.1:5432: connect: connection refused", "dial tcp N:N: connect: connection refused"},
		{"could not connect to postgres://db:5432/app?sslmode=disable", "could not connect to <url>"},
		{"timeout after 30s waiting for 2024-05-14T10:12:01Z lock", "timeout after <duration> waiting for <time> lock"},
		{"took 12.5 ms at 10:11:12", "took <duration> at <time>"},
		{"object at 0x7f71702f3d70", "object at <hex>"},
		{"commit 9f2c1e7a not found", "commit <hex> not found"},
		{"request 123e4567-e89b-12d3-a456-426614174000 failed", "request <id> failed"},
		{"open /home/travis/build/x/y.py: no such file", "open <path>: no such file"},
		{`File C:\Users\Michal\main.test.js missing`, "File <path> missing"},
		{"error in src/lib/parser.ts", "error in <path>"},
		{"expected: 10\n got: 7", "expected: N"},
		{"  \n\nFailed 42 times\nsecond line", "Failed N times"},
		{"utf8 and sha256 stay", "utf8 and sha256 stay"},
		{"", ""},
	}
	for _, tt := range tests {
		if got := NormalizeMessage(tt.in); got != tt.want {
			t.Errorf("NormalizeMessage(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

// TestParseError reads errors out of real failure texts from the JUnit
// fixtures (see testdata/README.md).
func TestParseError(t *testing.T) {
	tests := []struct {
		name                string
		typ, message, body  string
		wantType, wantFrame string
		wantMsg             string
		assertion           bool
		sig                 string
	}{
		{"pytest assertion", "", "AssertionError: assert 'test' == 'xyz'\n  - xyz\n  + test",
			"def test_which_fails():\n        event = { 'attr': 'test'}\n>       assert event['attr'] == 'xyz'\nE       AssertionError: assert 'test' == 'xyz'\nE         - xyz\nE         + test\n\npython/test_sample.py:10: AssertionError",
			"AssertionError", "test_sample.py", "assert 'test' == 'xyz'", true, "AssertionError: assert 'test' == 'xyz' @ test_sample.py"},
		{"pytest error", "", "AttributeError: 'dict' object has no attribute 'attr'",
			"def test_with_error():\n        event = { 'attr': 'test'}\n>       assert event.attr == 'test'\nE       AttributeError: 'dict' object has no attribute 'attr'\n\npython/test_sample.py:14: AttributeError",
			"AttributeError", "test_sample.py", "'dict' object has no attribute 'attr'", false, "AttributeError: 'dict' object has no attribute 'attr' @ test_sample.py"},
		{"surefire error with cause in message", "java.lang.RuntimeException", "this is different message",
			"java.lang.RuntimeException: java.lang.IndexOutOfBoundsException\n\tat surefire.MyTest.rethrownDelegate(MyTest.java:24)\n\tat surefire.MyTest.test(MyTest.java:13)",
			"java.lang.RuntimeException", "surefire.MyTest.rethrownDelegate", "this is different message", false, "java.lang.RuntimeException: this is different message @ surefire.MyTest.rethrownDelegate"},
		{"rspec", "RSpec::Expectations::ExpectationNotMetError", "\n  expected: 3\n       got: -1\n\n  (compared using ==)\n",
			"Failure/Error: is_expected.to eq(3)\n\n  expected: 3\n       got: -1\n\n  (compared using ==)\n./spec/test_spec.rb:12:in `block (4 levels) in <top (required)>'",
			"RSpec::Expectations::ExpectationNotMetError", "test_spec.rb", "expected: 3", true, "RSpec::Expectations::ExpectationNotMetError: expected: N @ test_spec.rb"},
		{"jest assertion", "", "",
			"Error: expect(received).toBeTruthy()\n\nReceived: false\n    at Object.<anonymous> (C:\\Users\\Michal\\Workspace\\dorny\\test-check\\reports\\jest\\__tests__\\main.test.js:10:21)",
			"Error", "Object.<anonymous> (main.test.js)", "expect(received).toBeTruthy()", true, "Error: expect(received).toBeTruthy() @ Object.<anonymous> (main.test.js)"},
		{"jest error", "", "",
			"Error: Some error\n    at Object.throwError (C:\\Users\\Michal\\Workspace\\dorny\\test-check\\reports\\jest\\lib\\main.js:2:9)",
			"Error", "Object.throwError (main.js)", "Some error", false, "Error: Some error @ Object.throwError (main.js)"},
		{"nextest assertion panic", "test failure", "",
			"thread 'test_failure_assert' panicked at tests/basic.rs:19:5:\nassertion `left == right` failed: this is an assertion\n  left: 4\n right: 5",
			"panic", "basic.rs", "assertion `left == right` failed: this is an assertion", true, "panic: assertion `left == right` failed: this is an assertion @ basic.rs"},
		{"go-junit-report constant message", "", "Failed",
			"    fail_test.go:6: Error message\n    fail_test.go:7: Longer\n        error\n        message.",
			"", "fail_test.go", "Error message", true, "Error message @ fail_test.go"},
		{"go panic", "", "Failed",
			"--- FAIL: TestX (0.00s)\npanic: runtime error: index out of range [3] with length 3 [recovered]\n\tpanic: runtime error\n\ngoroutine 7 [running]:\nx.TestX(0xc000)\n\t/src/x_test.go:12 +0x1d",
			"panic", "x_test.go", "runtime error: index out of range [3] with length 3", false, "panic: runtime error: index out of range [N] with length N @ x_test.go"},
		{"unittest traceback", "AssertionError", "failed",
			"Traceback (most recent call last):\n  File \"/Users/foo/Projects/python-test/tests/test_lib.py\", line 24, in test_always_fail\n    self.fail(\"failed\")\nAssertionError: failed\n",
			"AssertionError", "test_lib.py in test_always_fail", "failed", true, "AssertionError: failed @ test_lib.py in test_always_fail"},
		{"dotnet message only", "failure", "OneTimeSetUp: System.InvalidOperationException : Operation is not valid due to the current state of the object.", "",
			"", "", "OneTimeSetUp: System.InvalidOperationException : Operation is not valid due to the current state of the object.", true,
			"OneTimeSetUp: System.InvalidOperationException : Operation is not valid due to the current state of the object."},
		{"java caused by", "", "",
			"org.springframework.jdbc.CannotGetJdbcConnectionException: Failed to obtain JDBC Connection\n\tat org.x.A.b(A.java:1)\nCaused by: java.net.ConnectException: Connection refused (Connection refused)\n\tat java.net.PlainSocketImpl.socketConnect(Native Method)",
			"java.net.ConnectException", "org.x.A.b", "Connection refused (Connection refused)", false, "java.net.ConnectException: Connection refused (Connection refused) @ org.x.A.b"},
		{"nothing", "", "", "", "", "", "", true, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := ParseError(tt.typ, tt.message, tt.body)
			if p.Type != tt.wantType || p.Frame != tt.wantFrame || p.Message != tt.wantMsg || p.Assertion != tt.assertion {
				t.Errorf("got %+v\nwant type %q frame %q message %q assertion %v", p, tt.wantType, tt.wantFrame, tt.wantMsg, tt.assertion)
			}
			if got := Signature(p); got != tt.sig {
				t.Errorf("Signature = %q, want %q", got, tt.sig)
			}
		})
	}
}

// TestSignatureClusters checks which failures share a signature.
func TestSignatureClusters(t *testing.T) {
	sig := func(msg, body string) string { return Signature(ParseError("", msg, body)) }
	refused := func(port, file string) string {
		return sig("ConnectionRefusedError: [Errno 111] Connection refused",
			"    def test_x():\n>       conn = connect(port="+port+")\n\n"+file+":12: in test_x\n    return socket.create_connection(addr)\n"+
				"E   ConnectionRefusedError: [Errno 111] Connection refused\n\n/usr/lib/python3.12/socket.py:852: ConnectionRefusedError")
	}
	if a, b := refused("5432", "tests/test_a.py"), refused("6379", "tests/test_b.py"); a != b {
		t.Errorf("same error in two tests gave two signatures:\n%s\n%s", a, b)
	}
	if a, b := sig("expected: 10 got: 7", "x_spec.rb:3:in"), sig("expected: 11 got: 9", "x_spec.rb:3:in"); a != b {
		t.Errorf("numbers not masked: %q vs %q", a, b)
	}
	if a, b := sig("KeyError: 'a'", ""), sig("ValueError: 'a'", ""); a == b {
		t.Errorf("different error types share a signature: %q", a)
	}
}
