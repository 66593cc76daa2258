package kubeutil

import (
	"testing"

	"rtloader/test/bindings"
	"rtloader/test/builtins/builtintest"
	"rtloader/test/helpers"
)

func payload(t *testing.T, p *string) {
	builtintest.Handle(t, func(h *bindings.Handlers) { h.GetConnectionInfo = func() *string { return p } })
}

func TestGetConnectionInfo(t *testing.T) {
	defer helpers.CheckMemory(t)()
	payload(t, bindings.Str(`{"url": "https://10.0.0.1:10250", "verify_tls": false, "token": "é"}`))
	builtintest.Expect(t, `
		import kubeutil
		out.write(repr(sorted(kubeutil.get_connection_info().items())))
	`, "[('token', 'é'), ('url', 'https://10.0.0.1:10250'), ('verify_tls', False)]")
}

func TestGetConnectionInfoFailuresGiveEmptyDict(t *testing.T) {
	defer helpers.CheckMemory(t)()
	for _, p := range []*string{nil, bindings.Str("{}"), bindings.Str("[1]"), bindings.Str("{bad json"), bindings.Str(`"` + builtintest.BadUTF8 + `"`)} {
		payload(t, p)
		builtintest.Expect(t, `
			import kubeutil
			d = kubeutil.get_connection_info()
			out.write(repr(d) + repr(d is kubeutil.get_connection_info()))
		`, "{}False")
	}
}
