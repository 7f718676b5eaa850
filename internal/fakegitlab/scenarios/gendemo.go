//go:build ignore

// gendemo writes the demo scenario folder (scenarios/demo). Run it from
// this folder with: go run gendemo.go
//
// Traces are written the way gitlab-runner writes them: section markers
// ending in "\r\x1b[0K" with no newline, Println/Infoln/Warningln/Errorln
// colour wrapping, "$ cmd" echoes, and for the runner 18.8 job the 32-byte
// timestamp header per line. The failure content is adapted from real logs,
// see demo/SOURCES.md.
package main

import (
	"bytes"
	"encoding/json"
	"encoding/xml"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"
)

const (
	out       = "demo"
	projectID = 4242
	projPath  = "acme/platform/billing-api"
	sha       = "3f9c2e1ab7d04c6e8f51a2b3c4d5e6f708192a3b"
	beforeSHA = "9b1d7c3e5a2f4b6d8c0e1f2a3b4c5d6e7f809a1b"
	ref       = "feature/invoices"
	pipeID    = 98765
	childID   = 98766
	imgDigest = "2f9e6c1d8b7a4e3f5c0d9b8a7e6f5d4c3b2a19087f6e5d4c3b2a1f0e9d8c7b6a"
	start     = "2026-01-05T09:00:00Z"
)

var t0, _ = time.Parse(time.RFC3339, start)

// trace builds one job log.
type trace struct {
	buf     bytes.Buffer
	stamped bool
	now     time.Time
	cont    bool // the last runner write ended without a newline
}

const (
	reset  = "\x1b[0;m"
	clear  = "\x1b[0K"
	green  = "\x1b[32;1m"
	cyan   = "\x1b[36;1m"
	red    = "\x1b[31;1m"
	yellow = "\x1b[0;33m"
)

func (t *trace) tick(d time.Duration) { t.now = t.now.Add(d) }

// emit writes one logical line (no trailing newline in s) on a stream.
func (t *trace) emit(stream, s string) {
	t.tick(37 * time.Millisecond)
	if !t.stamped {
		t.buf.WriteString(s + "\n")
		t.cont = false
		return
	}
	mark := " "
	if t.cont && stream == "00O" {
		mark = "+"
	}
	fmt.Fprintf(&t.buf, "%s %s%s%s\n", t.now.UTC().Format("2006-01-02T15:04:05.000000Z"), stream, mark, s)
	t.cont = false
}

// marker writes a section marker, which ends without a newline.
func (t *trace) marker(kind, name string) {
	m := fmt.Sprintf("section_%s:%d:%s\r%s", kind, t.now.Unix(), name, clear)
	if !t.stamped {
		t.buf.WriteString(m)
		t.cont = true
		return
	}
	mark := " "
	if t.cont {
		mark = "+"
	}
	t.tick(20 * time.Microsecond)
	fmt.Fprintf(&t.buf, "%s 00O%s%s\n", t.now.UTC().Format("2006-01-02T15:04:05.000000Z"), mark, m)
	t.cont = true
}

func (t *trace) println(s string) { t.emit("00O", clear+s+reset) }
func (t *trace) infoln(s string)  { t.emit("00O", green+s+reset) }
func (t *trace) warnln(s string)  { t.emit("00O", yellow+"WARNING: "+s+reset) }
func (t *trace) errorln(s string) { t.emit("00O", red+"ERROR: "+s+reset) }
func (t *trace) out(lines string) {
	for _, l := range strings.Split(strings.TrimSuffix(lines, "\n"), "\n") {
		t.emit("01O", l)
	}
}
func (t *trace) cmd(c string) { t.emit("01O", green+"$ "+c+reset) }

func (t *trace) section(name, header string, d time.Duration, body func()) {
	t.marker("start", name)
	t.emit("00O", clear+cyan+header+reset+reset)
	body()
	t.tick(d)
	t.marker("end", name)
}

type jobSpec struct {
	id       int64
	name     string
	image    string
	runner   string // gitlab-runner version
	stamped  bool
	begin    time.Time
	script   func(t *trace)
	scriptD  time.Duration
	exitCode int
	upload   []string // artifact paths
	sysFail  string   // a system failure before the script
}

func runnerTrace(j jobSpec) []byte {
	t := &trace{stamped: j.stamped, now: j.begin}
	t.println("Running with gitlab-runner " + j.runner)
	t.println("  on acme-docker-autoscaler-2 t2_Vq8KpR, system ID: s_5b0e3f9a1c7d")
	t.section("prepare_executor", `Preparing the "docker" executor`, 4*time.Second, func() {
		t.println("Using Docker executor with image " + j.image + " ...")
		if j.sysFail != "" {
			t.errorln("Preparation failed: " + j.sysFail)
			t.infoln("Will be retried in 3s ...")
			t.tick(3 * time.Second)
			t.errorln("Preparation failed: " + j.sysFail)
			t.infoln("Will be retried in 3s ...")
			t.tick(3 * time.Second)
			return
		}
		t.println("Pulling docker image " + j.image + " ...")
		name := strings.SplitN(j.image, ":", 2)[0]
		t.println(fmt.Sprintf("Using docker image sha256:%s for %s with digest %s@sha256:%s ...", imgDigest, j.image, name, imgDigest))
	})
	if j.sysFail != "" {
		t.emit("00O", red+"ERROR: Job failed (system failure): "+j.sysFail+reset)
		return t.buf.Bytes()
	}
	t.section("prepare_script", "Preparing environment", time.Second, func() {
		t.emit("00O", "Running on runner-t2vq8kpr-project-4242-concurrent-0 via acme-docker-autoscaler-2...")
	})
	t.section("get_sources", "Getting source from Git repository", 2*time.Second, func() {
		t.infoln("Fetching changes with git depth set to 20...")
		t.out("Initialized empty Git repository in /builds/" + projPath + "/.git/")
		t.infoln("Created fresh repository.")
		t.infoln("Checking out " + sha[:8] + " as detached HEAD (ref is " + ref + ")...")
		t.out("")
		t.infoln("Skipping Git submodules setup")
	})
	t.section("step_script", `Executing "step_script" stage of the job script`, j.scriptD, func() {
		name := strings.SplitN(j.image, ":", 2)[0]
		t.println(fmt.Sprintf("Using docker image sha256:%s for %s with digest %s@sha256:%s ...", imgDigest, j.image, name, imgDigest))
		j.script(t)
	})
	if len(j.upload) > 0 {
		kind := "failed"
		if j.exitCode == 0 {
			kind = "successful"
		}
		sec := "upload_artifacts_on_failure"
		if j.exitCode == 0 {
			sec = "upload_artifacts_on_success"
		}
		t.section(sec, "Uploading artifacts for "+kind+" job", 2*time.Second, func() {
			t.infoln("Uploading artifacts...")
			for _, p := range j.upload {
				t.emit("01O", p+": found 1 matching artifact files and directories"+reset)
			}
			t.emit("01O", fmt.Sprintf(`Uploading artifacts as "archive" to coordinator... 201 Created%s  correlation_id%s=01JGQ7%05d id%s=%d responseStatus%s=201 Created token%s=glcbt-66`, reset, reset, j.id%100000, reset, j.id, reset, reset))
			t.infoln("Uploading artifacts...")
			for _, p := range j.upload {
				t.emit("01O", p+": found 1 matching artifact files and directories"+reset)
			}
			t.emit("01O", fmt.Sprintf(`Uploading artifacts as "junit" to coordinator... 201 Created%s  correlation_id%s=01JGQ8%05d id%s=%d responseStatus%s=201 Created token%s=glcbt-66`, reset, reset, j.id%100000, reset, j.id, reset, reset))
		})
	}
	t.section("cleanup_file_variables", "Cleaning up project directory and file based variables", time.Second, func() {})
	t.cont = false
	if j.exitCode == 0 {
		t.emit("00O", green+"Job succeeded"+reset)
	} else {
		t.emit("00O", red+fmt.Sprintf("ERROR: Job failed: exit code %d", j.exitCode)+reset)
	}
	return t.buf.Bytes()
}

// In plain mode the final status line follows the last section_end on the
// same line: emit resets cont but plain mode never writes a header, so the
// bytes are exactly "section_end:...\r\x1b[0K\x1b[31;1mERROR: ...".

// ---- tests of the two pytest jobs ----

type tcase struct {
	file, name string
	secs       float64
	fail       string // failure body (--tb=short), "" for a pass
	msg        string
}

const connRefused = "ConnectionRefusedError: [Errno 111] Connect call failed ('127.0.0.1', 5432)"

func connTB(file string, line int, test, call string) string {
	return fmt.Sprintf(`%s:%d: in %s
    %s
src/billing_api/db.py:34: in acquire
    self._pool = await asyncpg.create_pool(self.dsn, min_size=1, max_size=4)
/usr/local/lib/python3.12/site-packages/asyncpg/pool.py:418: in _async__init__
    await self._initialize()
/usr/local/lib/python3.12/site-packages/asyncpg/connect_utils.py:1049: in _connect
    conn = await _connect_addr(
/usr/local/lib/python3.12/asyncio/base_events.py:1130: in create_connection
    raise exceptions[0]
/usr/local/lib/python3.12/asyncio/selector_events.py:691: in _sock_connect_cb
    raise OSError(err, f'Connect call failed {address}')
E   %s`, file, line, test, call, connRefused)
}

var vatTB = `tests/unit/test_tax.py:27: in test_vat_rounding_half_even
    assert invoice.vat == Decimal("19.94")
E   AssertionError: assert Decimal('19.95') == Decimal('19.94')
E    +  where Decimal('19.95') = Invoice(net=Decimal('104.95'), vat_rate=Decimal('0.19')).vat`

func group1() []tcase {
	cs := []tcase{
		{"tests/integration/test_invoices.py", "test_create_invoice_persists", 0.412, connTB("tests/integration/test_invoices.py", 21, "test_create_invoice_persists", `resp = await client.post("/invoices", json=INVOICE)`), connRefused},
		{"tests/integration/test_invoices.py", "test_list_invoices_paginates", 0.398, connTB("tests/integration/test_invoices.py", 38, "test_list_invoices_paginates", `resp = await client.get("/invoices", params={"per_page": 2})`), connRefused},
		{"tests/integration/test_invoices.py", "test_invoice_not_found", 0.004, "", ""},
	}
	for i, n := range []string{"test_money_adds_same_currency", "test_money_rejects_mixed_currency", "test_money_rounds_to_cents", "test_money_str", "test_money_zero", "test_money_negative"} {
		cs = append(cs, tcase{"tests/unit/test_money.py", n, 0.001 + float64(i)*0.0005, "", ""})
	}
	for i, n := range []string{"test_vat_standard_rate", "test_vat_reduced_rate", "test_vat_zero_rated", "test_vat_rounding_half_even", "test_vat_reverse_charge", "test_vat_exempt"} {
		tc := tcase{"tests/unit/test_tax.py", n, 0.002 + float64(i)*0.0003, "", ""}
		if n == "test_vat_rounding_half_even" {
			tc.secs, tc.fail, tc.msg = 0.003, vatTB, "AssertionError: assert Decimal('19.95') == Decimal('19.94')"
		}
		cs = append(cs, tc)
	}
	for i, n := range []string{"test_invoice_total", "test_invoice_lines_order", "test_invoice_due_date", "test_invoice_number_format", "test_invoice_currency_default", "test_invoice_from_dict"} {
		cs = append(cs, tcase{"tests/unit/test_models.py", n, 0.001 + float64(i)*0.0002, "", ""})
	}
	return cs
}

func group2() []tcase {
	cs := []tcase{
		{"tests/integration/test_payments.py", "test_refund_creates_credit_note", 0.405, connTB("tests/integration/test_payments.py", 44, "test_refund_creates_credit_note", `resp = await client.post(f"/payments/{payment.id}/refund")`), connRefused},
		{"tests/integration/test_payments.py", "test_capture_payment", 0.401, connTB("tests/integration/test_payments.py", 17, "test_capture_payment", `resp = await client.post("/payments", json=PAYMENT)`), connRefused},
		{"tests/integration/test_payments.py", "test_payment_webhook_signature", 0.006, "", ""},
	}
	for i, n := range []string{"test_parse_iban", "test_parse_iban_rejects_checksum", "test_format_iban", "test_bic_lookup", "test_sepa_mandate_reference", "test_sepa_due_date_skips_weekend"} {
		cs = append(cs, tcase{"tests/unit/test_banking.py", n, 0.001 + float64(i)*0.0004, "", ""})
	}
	for i, n := range []string{"test_credit_note_negates_lines", "test_credit_note_links_invoice", "test_credit_note_number", "test_credit_note_partial", "test_credit_note_vat", "test_credit_note_total"} {
		cs = append(cs, tcase{"tests/unit/test_credit_notes.py", n, 0.002 + float64(i)*0.0001, "", ""})
	}
	for i, n := range []string{"test_settings_from_env", "test_settings_defaults", "test_settings_dsn", "test_settings_rejects_bad_currency", "test_settings_debug_off"} {
		cs = append(cs, tcase{"tests/unit/test_settings.py", n, 0.001 + float64(i)*0.0001, "", ""})
	}
	return cs
}

func classname(file string) string {
	return strings.ReplaceAll(strings.TrimSuffix(file, ".py"), "/", ".")
}

func pytestScript(group int, cases []tcase, deselected int) func(t *trace) {
	return func(t *trace) {
		t.cmd("pip install -r requirements/dev.txt --quiet")
		t.out("\x1b[33mWARNING: Running pip as the 'root' user can result in broken permissions and conflicting behaviour with the system package manager, possibly rendering your system unusable. It is recommended to use a virtual environment instead: https://pip.pypa.io/warnings/venv. Use the --root-user-action option if you know what you are doing and want to suppress this warning.\x1b[0m\x1b[33m\x1b[0m")
		t.cmd(fmt.Sprintf("pytest --splits $CI_NODE_TOTAL --group $CI_NODE_INDEX --junitxml=reports/junit.xml --tb=short --color=yes"))
		t.out("\x1b[1m============================= test session starts ==============================\x1b[0m")
		t.out("platform linux -- Python 3.12.8, pytest-8.3.4, pluggy-1.5.0")
		t.out("rootdir: /builds/" + projPath)
		t.out("configfile: pyproject.toml")
		t.out("plugins: split-0.10.0, asyncio-0.24.0, anyio-4.7.0")
		t.out("asyncio: mode=Mode.AUTO, default_loop_scope=function")
		t.out(fmt.Sprintf("\x1b[1mcollecting ... \x1b[0m\x1b[1mcollected %d items / %d deselected / %d selected                            \x1b[0m", len(cases)+deselected, deselected, len(cases)))
		t.out(fmt.Sprintf("[pytest-split] Running group %d/2 (estimated duration: %.2fs)", group, total(cases)))
		t.out("")
		byFile := map[string][]tcase{}
		var files []string
		for _, c := range cases {
			if byFile[c.file] == nil {
				files = append(files, c.file)
			}
			byFile[c.file] = append(byFile[c.file], c)
		}
		done := 0
		for _, f := range files {
			var b strings.Builder
			for _, c := range byFile[f] {
				if c.fail != "" {
					b.WriteString("\x1b[31mF\x1b[0m")
				} else {
					b.WriteString("\x1b[32m.\x1b[0m")
				}
			}
			done += len(byFile[f])
			pad := 74 - len(f) - len(byFile[f])
			t.out(fmt.Sprintf("%s %s%s\x1b[31m [%3d%%]\x1b[0m", f, b.String(), strings.Repeat(" ", max(pad, 1)), done*100/len(cases)))
		}
		t.out("")
		t.out("=================================== FAILURES ===================================")
		nfail := 0
		for _, c := range cases {
			if c.fail == "" {
				continue
			}
			nfail++
			bar := (78 - len(c.name) - 2) / 2
			t.out(fmt.Sprintf("\x1b[31m\x1b[1m%s %s %s\x1b[0m", strings.Repeat("_", bar), c.name, strings.Repeat("_", 78-len(c.name)-2-bar)))
			for _, l := range strings.Split(c.fail, "\n") {
				if strings.HasPrefix(l, "E ") {
					t.out("\x1b[1m\x1b[31m" + l + "\x1b[0m")
				} else {
					t.out(l)
				}
			}
		}
		t.out("- generated xml file: /builds/" + projPath + "/reports/junit.xml -")
		t.out("\x1b[36m\x1b[1m=========================== short test summary info ============================\x1b[0m")
		for _, c := range cases {
			if c.fail != "" {
				t.out(fmt.Sprintf("\x1b[31mFAILED\x1b[0m %s::\x1b[1m%s\x1b[0m - %s", c.file, c.name, c.msg))
			}
		}
		summary := fmt.Sprintf("%d failed, %d passed, %d deselected in %.2fs", nfail, len(cases)-nfail, deselected, total(cases)+1.37)
		eq := (78 - len(summary) - 2) / 2
		t.out(fmt.Sprintf("\x1b[31m%s \x1b[31m\x1b[1m%s\x1b[0m\x1b[31m %s\x1b[0m", strings.Repeat("=", eq), summary, strings.Repeat("=", 78-len(summary)-2-eq)))
	}
}

func total(cs []tcase) float64 {
	s := 0.0
	for _, c := range cs {
		s += c.secs
	}
	return s
}

// ---- JUnit XML (pytest, junit_family=xunit2) ----

type xFailure struct {
	Message string `xml:"message,attr"`
	Body    string `xml:",chardata"`
}
type xCase struct {
	XMLName   xml.Name  `xml:"testcase"`
	Classname string    `xml:"classname,attr"`
	Name      string    `xml:"name,attr"`
	Time      string    `xml:"time,attr"`
	Failure   *xFailure `xml:"failure,omitempty"`
}
type xSuite struct {
	XMLName   xml.Name `xml:"testsuite"`
	Name      string   `xml:"name,attr"`
	Errors    int      `xml:"errors,attr"`
	Failures  int      `xml:"failures,attr"`
	Skipped   int      `xml:"skipped,attr"`
	Tests     int      `xml:"tests,attr"`
	Time      string   `xml:"time,attr"`
	Timestamp string   `xml:"timestamp,attr"`
	Hostname  string   `xml:"hostname,attr"`
	Cases     []xCase
}
type xSuites struct {
	XMLName xml.Name `xml:"testsuites"`
	Name    string   `xml:"name,attr"`
	Suite   xSuite
}

func junit(cases []tcase, ts time.Time) []byte {
	s := xSuite{Name: "pytest", Tests: len(cases), Time: fmt.Sprintf("%.3f", total(cases)+1.37),
		Timestamp: ts.UTC().Format("2006-01-02T15:04:05.000000+00:00"), Hostname: "runner-t2vq8kpr-project-4242-concurrent-0"}
	for _, c := range cases {
		xc := xCase{Classname: classname(c.file), Name: c.name, Time: fmt.Sprintf("%.3f", c.secs)}
		if c.fail != "" {
			s.Failures++
			xc.Failure = &xFailure{Message: c.msg, Body: c.fail}
		}
		s.Cases = append(s.Cases, xc)
	}
	b, err := xml.Marshal(xSuites{Name: "pytest tests", Suite: s})
	if err != nil {
		panic(err)
	}
	return append([]byte(`<?xml version="1.0" encoding="utf-8"?>`), b...)
}

// ---- GitLab's parsed test report ----

func testReport(all []tcase) (map[string]any, map[string]any) {
	type tc = map[string]any
	var failed, passed []tcase
	for _, c := range all {
		if c.fail != "" {
			failed = append(failed, c)
		} else {
			passed = append(passed, c)
		}
	}
	byTime := func(l []tcase) {
		sort.SliceStable(l, func(a, b int) bool { return l[a].secs > l[b].secs })
	}
	byTime(failed)
	byTime(passed)
	var cases []tc
	for _, c := range append(failed, passed...) {
		status := "success"
		var out any
		if c.fail != "" {
			status, out = "failed", c.fail
		}
		cases = append(cases, tc{"status": status, "name": c.name, "classname": classname(c.file), "file": nil,
			"execution_time": c.secs, "system_output": out, "stack_trace": nil, "recent_failures": nil})
	}
	tt := round3(total(all))
	suite := tc{"name": "pytest", "total_time": tt, "total_count": len(all), "success_count": len(passed),
		"failed_count": len(failed), "skipped_count": 0, "error_count": 0, "suite_error": nil, "test_cases": cases}
	report := tc{"total_time": tt, "total_count": len(all), "success_count": len(passed), "failed_count": len(failed),
		"skipped_count": 0, "error_count": 0, "test_suites": []any{suite}}
	summary := tc{
		"total": tc{"time": tt, "count": len(all), "success": len(passed), "failed": len(failed), "skipped": 0, "error": 0, "suite_error": nil},
		"test_suites": []any{tc{"name": "pytest", "total_time": tt, "total_count": len(all), "success_count": len(passed),
			"failed_count": len(failed), "skipped_count": 0, "error_count": 0, "build_ids": []int64{5550103, 5550104}, "suite_error": nil}},
	}
	return report, summary
}

func round3(f float64) float64 { return float64(int64(f*1000+0.5)) / 1000 }

// ---- files ----

func write(name string, data []byte) {
	p := filepath.Join(out, name)
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		panic(err)
	}
	if err := os.WriteFile(p, data, 0o644); err != nil {
		panic(err)
	}
}

func writeJSON(name string, v any) {
	b, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		panic(err)
	}
	write(name, append(b, '\n'))
}

func ts(d time.Duration) string { return t0.Add(d).UTC().Format("2006-01-02T15:04:05.000Z") }

func main() {
	// Start afresh, keeping the hand-written SOURCES.md.
	for _, d := range []string{"jobs", "merge_requests", "pipelines", "projects", "scenario.json"} {
		if err := os.RemoveAll(filepath.Join(out, d)); err != nil {
			panic(err)
		}
	}
	sec := time.Second
	runner := `{"id":71,"description":"acme-docker-autoscaler-2","ip_address":null,"active":true,"paused":false,"is_shared":false,"runner_type":"group_type","name":"acme-docker-autoscaler-2","online":true,"status":"online"}`

	jobs := []jobSpec{
		{id: 5550101, name: "flake8", image: "python:3.12-slim", runner: "18.5.0 (bda84871)", begin: t0.Add(10 * sec), scriptD: 9 * sec, exitCode: 1,
			script: func(t *trace) {
				t.cmd("pip install flake8==7.1.1")
				t.out(`Collecting flake8==7.1.1
  Downloading flake8-7.1.1-py2.py3-none-any.whl.metadata (3.8 kB)
Collecting mccabe<0.8.0,>=0.7.0 (from flake8==7.1.1)
  Downloading mccabe-0.7.0-py2.py3-none-any.whl.metadata (5.0 kB)
Collecting pycodestyle<2.13.0,>=2.12.0 (from flake8==7.1.1)
  Downloading pycodestyle-2.12.1-py2.py3-none-any.whl.metadata (4.5 kB)
Collecting pyflakes<3.3.0,>=3.2.0 (from flake8==7.1.1)
  Downloading pyflakes-3.2.0-py2.py3-none-any.whl.metadata (3.5 kB)
Downloading flake8-7.1.1-py2.py3-none-any.whl (57 kB)
Downloading mccabe-0.7.0-py2.py3-none-any.whl (7.3 kB)
Downloading pycodestyle-2.12.1-py2.py3-none-any.whl (31 kB)
Downloading pyflakes-3.2.0-py2.py3-none-any.whl (62 kB)
Installing collected packages: pyflakes, pycodestyle, mccabe, flake8
Successfully installed flake8-7.1.1 mccabe-0.7.0 pycodestyle-2.12.1 pyflakes-3.2.0`)
				t.cmd("flake8 --ignore=E402,E501 src/ tests/")
				t.out(`src/billing_api/invoices/service.py:88:1: E305 expected 2 blank lines after class or function definition, found 1
src/billing_api/payments/refunds.py:12:1: F401 'decimal.ROUND_HALF_UP' imported but unused
src/billing_api/payments/refunds.py:105:5: E303 too many blank lines (2)
tests/unit/test_tax.py:3:1: F401 'pytest' imported but unused`)
			}},
		{id: 5550102, name: "linkcheck", image: "ruby:3.3-slim", runner: "18.5.0 (bda84871)", begin: t0.Add(11 * sec), scriptD: 41 * sec, exitCode: 1,
			script: func(t *trace) {
				t.cmd("gem install awesome_bot")
				t.out("Fetching awesome_bot-1.20.0.gem\r" + "Fetching awesome_bot-1.20.0.gem (100%)\r\nSuccessfully installed awesome_bot-1.20.0\r\n1 gem installed\r")
				t.cmd("awesome_bot README.md docs/*.md --allow-dupe --white-list pyparsing,graphviz.org")
				t.out("> Checking links in README.md docs/api.md docs/invoices.md\r\n> Will allow duplicate links\r\n> White list links matching: pyparsing, graphviz.org \r\n\r\nLinks to check: 38, 1 white listed, 37 unique\r")
				t.out("Checking URLs: ✓✓✓✓✓✓✓✓→✓✓✓✓✓✓✓✓✓✓✓✓✓✓✓✓✓✓✓✓✓✓✓✓✓✓xx\r\nChecking white listed URLs: ✓\r\n\r\nIssues :-(\r\n> Links \r")
				t.out("  1. 301 https://warehouse.python.org/ → https://pypi.io/\r\n  2. http://www.grantjenks.com/docs/diskcache/ Connection timed out - connect(2) for \"www.grantjenks.com\" port 80\r\n  3. http://www.grantjenks.com/docs/sortedcontainers/ Connection timed out - connect(2) for \"www.grantjenks.com\" port 80\r")
			}},
		{id: 5550103, name: "pytest 1/2", image: "python:3.12-slim", runner: "18.5.0 (bda84871)", begin: t0.Add(62 * sec), scriptD: 31 * sec, exitCode: 1,
			upload: []string{"reports/junit.xml"}, script: pytestScript(1, group1(), 20)},
		{id: 5550104, name: "pytest 2/2", image: "python:3.12-slim", runner: "18.8.0 (6ee0c8b3)", stamped: true, begin: t0.Add(63 * sec), scriptD: 29 * sec, exitCode: 1,
			upload: []string{"reports/junit.xml"}, script: pytestScript(2, group2(), 21)},
		{id: 5550105, name: "deps:resolve", image: "python:3.12-slim", runner: "18.5.0 (bda84871)", begin: t0.Add(64 * sec), scriptD: 12 * sec, exitCode: 1,
			script: func(t *trace) {
				t.cmd("pip install --dry-run --ignore-installed -r requirements.txt")
				t.out(`Collecting fastapi==0.115.6 (from -r requirements.txt (line 1))
  Downloading fastapi-0.115.6-py3-none-any.whl.metadata (27 kB)
Collecting asyncpg==0.30.0 (from -r requirements.txt (line 2))
  Downloading asyncpg-0.30.0-cp312-cp312-manylinux_2_17_x86_64.manylinux2014_x86_64.whl.metadata (5.0 kB)
Collecting pydantic==1.10.19 (from -r requirements.txt (line 3))
  Downloading pydantic-1.10.19-cp312-cp312-manylinux_2_17_x86_64.manylinux2014_x86_64.whl.metadata (152 kB)
Collecting pydantic-settings==2.7.0 (from -r requirements.txt (line 4))
  Downloading pydantic_settings-2.7.0-py3-none-any.whl.metadata (3.5 kB)
INFO: pip is looking at multiple versions of pydantic-settings to determine which version is compatible with other requirements. This could take a while.
ERROR: Cannot install -r requirements.txt (line 4) and pydantic==1.10.19 because these package versions have conflicting dependencies.

The conflict is caused by:
    The user requested pydantic==1.10.19
    pydantic-settings 2.7.0 depends on pydantic>=2.7.0

To fix this you could try to:
1. loosen the range of package versions you've specified
2. remove package versions to allow pip to attempt to solve the dependency conflict

ERROR: ResolutionImpossible: for help visit https://pip.pypa.io/en/latest/topics/dependency-resolution/#dealing-with-dependency-conflicts`)
			}},
		{id: 5550106, name: "build:wheel", image: "python:3.12-slim", runner: "18.5.0 (bda84871)", begin: t0.Add(95 * sec),
			sysFail: "Cannot connect to the Docker daemon at unix:///var/run/docker.sock. Is the docker daemon running? (docker.go:958:0s)"},
		{id: 5550109, name: "build:wheel", image: "python:3.12-slim", runner: "18.5.0 (bda84871)", begin: t0.Add(140 * sec), scriptD: 14 * sec, exitCode: 0,
			script: func(t *trace) {
				t.cmd("python -m pip wheel --no-deps -w dist .")
				t.out(`Processing /builds/acme/platform/billing-api
  Installing build dependencies: started
  Installing build dependencies: finished with status 'done'
  Getting requirements to build wheel: started
  Getting requirements to build wheel: finished with status 'done'
  Preparing metadata (pyproject.toml): started
  Preparing metadata (pyproject.toml): finished with status 'done'
Building wheels for collected packages: billing-api
  Building wheel for billing-api (pyproject.toml): started
  Building wheel for billing-api (pyproject.toml): finished with status 'done'
  Created wheel for billing-api: filename=billing_api-0.9.0-py3-none-any.whl size=48213 sha256=8c1f0e2d4b6a8c0e2f4a6b8d0c2e4f6a8b0d2c4e6f8a0b2d4c6e8f0a2b4d6c8e
  Stored in directory: /builds/acme/platform/billing-api/dist
Successfully built billing-api`)
			}},
		{id: 5550110, name: "docs:build", image: "python:3.12-slim", runner: "18.5.0 (bda84871)", begin: t0.Add(100 * sec), scriptD: 22 * sec, exitCode: 1,
			script: func(t *trace) {
				t.cmd("pip install -r docs/requirements.txt --quiet")
				t.cmd("sphinx-build -W --keep-going -b html docs public")
				t.out(`Running Sphinx v8.1.3
loading translations [en]... done
making output directory... done
building [mo]: targets for 0 po files that are out of date
writing output... 
building [html]: targets for 14 source files that are out of date
updating environment: [new config] 14 added, 0 changed, 0 removed
reading sources... [  7%] changelog
reading sources... [100%] reference/webhooks
` + "\x1b[91m/builds/acme/platform/billing-api/docs/reference/invoices.rst:42: WARNING: undefined label: 'credit-notes' [ref.ref]\x1b[39;49;00m" + `
looking for now-outdated files... none found
pickling environment... done
checking consistency... done
preparing documents... done
copying assets... 
copying static files... done
copying extra files... done
copying assets: done
writing output... [100%] reference/webhooks
generating indices... genindex done
writing additional pages... search done
dumping search index in English (code: en)... done
dumping object inventory... done
` + "\x1b[91mbuild finished with problems, 1 warning (with warnings treated as errors).\x1b[39;49;00m")
			}},
		{id: 5550111, name: "docs:spelling", image: "python:3.12-slim", runner: "18.5.0 (bda84871)", begin: t0.Add(101 * sec), scriptD: 8 * sec, exitCode: 0,
			script: func(t *trace) {
				t.cmd("codespell docs/ README.md")
			}},
	}

	type jobJSON = map[string]any
	dur := func(j jobSpec, tr []byte) float64 { return float64(len(tr)%700)/100 + j.scriptD.Seconds() + 9 }
	mk := func(j jobSpec, stage, status string, tr []byte, extra jobJSON) jobJSON {
		d := round3(dur(j, tr))
		m := jobJSON{"id": j.id, "name": j.name, "stage": stage, "status": status,
			"created_at": ts(0), "started_at": j.begin.UTC().Format("2006-01-02T15:04:05.000Z"),
			"finished_at": j.begin.Add(time.Duration(d * float64(time.Second))).UTC().Format("2006-01-02T15:04:05.000Z"),
			"duration":    d, "queued_duration": 0.812, "tag_list": []string{"docker", "linux"}, "runner": json.RawMessage(runner)}
		for k, v := range extra {
			m[k] = v
		}
		return m
	}
	traces := map[int64][]byte{}
	spec := map[int64]jobSpec{}
	for _, j := range jobs {
		traces[j.id] = runnerTrace(j)
		spec[j.id] = j
		write(fmt.Sprintf("jobs/%d/trace.log", j.id), traces[j.id])
	}
	j1, j2 := group1(), group2()
	write("jobs/5550103/artifacts/reports/junit.xml", junit(j1, spec[5550103].begin.Add(20*sec)))
	write("jobs/5550104/artifacts/reports/junit.xml", junit(j2, spec[5550104].begin.Add(20*sec)))
	junitArtifact := []Artifact{{FileType: "junit", Size: 1423, Filename: "junit.xml.gz", FileFormat: "gzip"}}

	parentJobs := []jobJSON{
		mk(spec[5550101], "lint", "failed", traces[5550101], jobJSON{"failure_reason": "script_failure"}),
		mk(spec[5550102], "lint", "failed", traces[5550102], jobJSON{"failure_reason": "script_failure", "allow_failure": true}),
		mk(spec[5550103], "test", "failed", traces[5550103], jobJSON{"failure_reason": "script_failure", "artifacts": junitArtifact, "artifacts_expire_at": ts(30 * 24 * time.Hour)}),
		mk(spec[5550104], "test", "failed", traces[5550104], jobJSON{"failure_reason": "script_failure", "artifacts": junitArtifact, "artifacts_expire_at": ts(30 * 24 * time.Hour)}),
		mk(spec[5550105], "test", "failed", traces[5550105], jobJSON{"failure_reason": "script_failure"}),
		mk(spec[5550106], "build", "failed", traces[5550106], jobJSON{"failure_reason": "runner_system_failure", "duration": 6.41,
			"finished_at": spec[5550106].begin.Add(6410 * time.Millisecond).UTC().Format("2006-01-02T15:04:05.000Z")}),
		mk(spec[5550109], "build", "success", traces[5550109], nil),
		{"id": 5550107, "name": "deploy:staging", "stage": "deploy", "status": "skipped", "created_at": ts(0)},
	}
	writeJSON("pipelines/98765/jobs.json", parentJobs)
	writeJSON("pipelines/98766/jobs.json", []jobJSON{
		mk(spec[5550110], "docs", "failed", traces[5550110], jobJSON{"failure_reason": "script_failure", "created_at": ts(96 * sec)}),
		mk(spec[5550111], "docs", "success", traces[5550111], jobJSON{"created_at": ts(96 * sec)}),
	})
	writeJSON("pipelines/98765/bridges.json", []jobJSON{{
		"id": 5550108, "name": "trigger:docs", "stage": "build", "status": "failed", "failure_reason": "unknown_failure",
		"created_at": ts(0), "started_at": ts(95 * sec), "finished_at": ts(131 * sec), "duration": 36.2, "queued_duration": 0.213,
		"downstream_pipeline_id": childID,
	}})
	dp := int64(172)
	writeJSON("pipelines/98765.json", map[string]any{
		"id": pipeID, "iid": 412, "project_id": projectID, "sha": sha, "before_sha": beforeSHA, "ref": ref,
		"status": "failed", "source": "push", "created_at": ts(0), "updated_at": ts(172 * sec),
		"started_at": ts(9 * sec), "finished_at": ts(172 * sec), "duration": dp, "queued_duration": 9,
		"commit": map[string]any{"title": "Round VAT half-even and add credit notes", "author_name": "Dana Kim", "author_email": "dana.kim@acme.example"},
	})
	writeJSON("pipelines/98766.json", map[string]any{
		"id": childID, "iid": 413, "project_id": projectID, "sha": sha, "before_sha": beforeSHA, "ref": ref,
		"status": "failed", "source": "parent_pipeline", "created_at": ts(96 * sec), "updated_at": ts(131 * sec),
		"started_at": ts(100 * sec), "finished_at": ts(131 * sec), "duration": 31, "queued_duration": 3,
	})
	report, summary := testReport(append(j1, j2...))
	writeJSON("pipelines/98765/test_report.json", report)
	writeJSON("pipelines/98765/test_report_summary.json", summary)
	writeJSON("projects/4242.json", map[string]any{"id": projectID, "path_with_namespace": projPath, "name": "billing-api",
		"description": "Invoicing and payments service", "default_branch": "main", "namespace_id": 318, "created_at": "2024-03-11T08:21:40.112Z",
		"ci_config": ciConfig, "files": map[string]string{".gitlab-ci.yml": ciConfig, "docs/.gitlab-ci.yml": docsCIConfig}})
	writeJSON("merge_requests/17.json", map[string]any{"id": 90017, "iid": 17, "project_id": projectID,
		"title": "Invoices: VAT half-even rounding and credit notes", "source_branch": ref, "target_branch": "main",
		"sha": sha, "head_pipeline_id": pipeID, "created_at": "2026-01-05T08:41:07.301Z", "updated_at": ts(172 * sec),
		"labels": []string{"billing", "backend"}})
	writeJSON("scenario.json", map[string]any{
		"web_base_url": "https://gitlab.example.com",
		"user":         map[string]any{"id": 31, "username": "dana.kim", "name": "Dana Kim", "email": "dana.kim@acme.example"},
		"tokens":       []map[string]any{{"token": "glpat-demo-fake-token-0000", "kind": "personal"}, {"token": "glcbt-demo-fake-job-token", "kind": "job"}},
	})
}

// ciConfig is the project's .gitlab-ci.yml at the demo commit, as the CI
// lint API returns it in merged_yaml: the jobs of pipeline 98765 with the
// images, scripts and JUnit paths their traces and artifacts show. The
// pytest jobs reach PostgreSQL through DATABASE_URL on localhost while the
// service answers as "postgres", which is why their tests cannot connect.
// The child pipeline's jobs (docs:build, docs:spelling) live in
// docs/.gitlab-ci.yml (docsCIConfig), which the lint API does not return.
const ciConfig = `stages:
  - lint
  - test
  - build
  - deploy

default:
  image: python:3.12-slim
  interruptible: true
  tags: [docker, linux]

variables:
  PIP_INDEX_URL: https://pypi.acme.example/simple
  PIP_CACHE_DIR: "$CI_PROJECT_DIR/.cache/pip"
  DATABASE_URL: postgresql://billing:billing@localhost:5432/billing_test

workflow:
  rules:
    - if: $CI_PIPELINE_SOURCE == "merge_request_event"
      when: never
    - if: $CI_COMMIT_BRANCH

.pip-cache: &pip-cache
  cache:
    key:
      files: [requirements/dev.txt]
    paths: [.cache/pip]

flake8:
  stage: lint
  needs: []
  script:
    - pip install flake8==7.1.1
    - flake8 --ignore=E402,E501 src/ tests/

linkcheck:
  stage: lint
  image: ruby:3.3-slim
  needs: []
  allow_failure: true
  script:
    - gem install awesome_bot
    - awesome_bot README.md docs/*.md --allow-dupe --white-list pyparsing,graphviz.org

pytest:
  stage: test
  <<: *pip-cache
  needs: []
  parallel: 2
  services:
    - name: postgres:16
      alias: postgres
  variables:
    POSTGRES_DB: billing_test
    POSTGRES_USER: billing
    POSTGRES_PASSWORD: billing
  script:
    - pip install -r requirements/dev.txt --quiet
    - pytest --splits $CI_NODE_TOTAL --group $CI_NODE_INDEX --junitxml=reports/junit.xml --tb=short --color=yes
  artifacts:
    when: always
    expire_in: 30 days
    paths:
      - reports/
    reports:
      junit: reports/junit.xml

deps:resolve:
  stage: test
  needs: []
  script:
    - pip install --dry-run --ignore-installed -r requirements.txt

build:wheel:
  stage: build
  needs: []
  script:
    - python -m pip wheel --no-deps -w dist .
  artifacts:
    paths: [dist/]

trigger:docs:
  stage: build
  needs: []
  trigger:
    include: docs/.gitlab-ci.yml
    strategy: depend

deploy:staging:
  stage: deploy
  image: registry.acme.example/platform/deployer:3.1
  needs:
    - job: build:wheel
    - job: pytest
      artifacts: false
    - flake8
  environment:
    name: staging
    url: https://billing.staging.acme.example
  script:
    - deployer push --env staging dist/*.whl
  rules:
    - if: $CI_COMMIT_BRANCH
`

// docsCIConfig is docs/.gitlab-ci.yml at the demo commit, the
// configuration of the child pipeline that trigger:docs starts: the jobs of
// pipeline 98766 with the image and scripts their traces show.
const docsCIConfig = `stages:
  - docs

default:
  image: python:3.12-slim
  tags: [docker, linux]

variables:
  PIP_INDEX_URL: https://pypi.acme.example/simple

.sphinx: &sphinx
  stage: docs
  before_script: []

docs:build:
  <<: *sphinx
  script:
    - pip install -r docs/requirements.txt --quiet
    - sphinx-build -W --keep-going -b html docs public
  artifacts:
    paths: [public/]

docs:spelling:
  extends: .sphinx
  script:
    - codespell docs/ README.md
`

// Artifact mirrors fakegitlab.Artifact.
type Artifact struct {
	FileType   string `json:"file_type"`
	Size       int64  `json:"size"`
	Filename   string `json:"filename"`
	FileFormat string `json:"file_format"`
}
