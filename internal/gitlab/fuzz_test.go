package gitlab

import (
	"encoding/json"
	"testing"
)

func FuzzParseErrorBody(f *testing.F) {
	for _, s := range []string{
		`{"message":"404 Project Not Found"}`,
		`{"message":{"base":["x"],"ref":"y"}}`,
		`{"error":"insufficient_scope","scope":"api"}`,
		"Retry later", "", "{", `{"message":[1,2]}`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		msg, _ := parseErrorBody(b)
		if len(msg) > 400 {
			t.Errorf("message of %d bytes", len(msg))
		}
	})
}

func FuzzTestCaseJSON(f *testing.F) {
	f.Add([]byte(`{"status":"failed","name":"a","system_output":"x"}`))
	f.Add([]byte(`{"system_output":{"message":"m"}}`))
	f.Add([]byte(`{"system_output":[1,"b"]}`))
	f.Add([]byte(`{"system_output":null,"recent_failures":{"count":1}}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		var tc TestCase
		_ = json.Unmarshal(b, &tc)
	})
}

func FuzzProjectFromWebURL(f *testing.F) {
	c, err := New(Config{BaseURL: "https://host/gitlab/api/v4"})
	if err != nil {
		f.Fatal(err)
	}
	f.Add("https://host/gitlab/acme/widgets/-/pipelines/5")
	f.Add("https://host/gitlab/acme/widgets/jobs/7")
	f.Add("%")
	f.Fuzz(func(t *testing.T, s string) {
		_ = c.projectFromWebURL(s)
	})
}
