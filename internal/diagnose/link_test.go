package diagnose

import "testing"

// TestLinkPrefersSection: pytest prints each failure's text in a
// "____ test ____" section and repeats the node id in a one-line "FAILED"
// summary; the excerpt is the section, which explains the failure, unless
// two sections share the bare name and only the summary is unambiguous.
func TestLinkPrefersSection(t *testing.T) {
	section := []string{
		"=================================== FAILURES ===================================",
		"_________________________ test_create_invoice_persists _________________________",
		"tests/integration/test_invoices.py:21: in test_create_invoice_persists",
		"    resp = await client.post(\"/invoices\", json=INVOICE)",
		"E   ConnectionRefusedError: [Errno 111] Connect call failed ('127.0.0.1', 5432)",
	}
	summary := []string{
		"=========================== short test summary info ============================",
		"FAILED tests/integration/test_invoices.py::test_create_invoice_persists - ConnectionRefusedError: [Errno 111]",
		"FAILED tests/unit/test_other.py::test_create_invoice_persists - AssertionError",
		"========================= 2 failed, 18 passed in 2.22s =========================",
	}
	tc := TestCase{JobIDs: []int64{7}, Classname: "tests.integration.test_invoices", Name: "test_create_invoice_persists",
		File: "tests/integration/test_invoices.py", Status: TestFailed, Message: "ConnectionRefusedError: [Errno 111]"}

	lines := append(append([]string{}, section...), summary...)
	r := Build(Evidence{Jobs: []JobEvidence{{Job: failedJob(7, "pytest", CategoryTest), Blocks: linesBlocks(lines...)}}, Tests: []TestCase{tc}})
	if e := r.Tests[0].Excerpt; e == nil || e.StartLine != 2 || e.EndLine < 5 {
		t.Errorf("one section: excerpt = %+v, want the section from line 2", e)
	}

	// Two sections named test_create_invoice_persists (two modules): only
	// the summary line names the right one.
	twice := append(append(append([]string{}, section...), section[1:]...), summary...)
	twice[6] = "tests/unit/test_other.py:9: in test_create_invoice_persists"
	r = Build(Evidence{Jobs: []JobEvidence{{Job: failedJob(7, "pytest", CategoryTest), Blocks: linesBlocks(twice...)}}, Tests: []TestCase{tc}})
	if e := r.Tests[0].Excerpt; e == nil || e.StartLine != 11 {
		t.Errorf("ambiguous sections: excerpt = %+v, want the summary line 11", e)
	}
}
