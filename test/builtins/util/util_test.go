package util

import (
	"testing"

	"rtloader/test/bindings"
	"rtloader/test/builtins/builtintest"
	"rtloader/test/helpers"
)

func TestHeaders(t *testing.T) {
	defer helpers.CheckMemory(t)()
	builtintest.Handle(t, func(h *bindings.Handlers) {
		h.Headers = func() *string { return bindings.Str(`{"User-Agent": "x", "Accept": "y", "Content-Type": "z"}`) }
	})
	builtintest.Expect(t, `
		import util
		d = util.headers({'agent': 'config'}, http_host="myhost", ignore_me="snafu")
		out.write(",".join(sorted(d.keys())) + "|" + d["Host"] + "|" + util.headers.__doc__)
	`, "Accept,Content-Type,Host,User-Agent|myhost|Get standard set of HTTP headers.")
}

func TestHeadersSameAsDatadogAgent(t *testing.T) {
	defer helpers.CheckMemory(t)()
	builtintest.Handle(t, func(h *bindings.Handlers) { h.Headers = func() *string { return bindings.Str(`{"a": "b"}`) } })
	builtintest.Expect(t, `
		import util, datadog_agent
		out.write(repr(util.headers() == datadog_agent.headers()))
	`, "True")
}

func TestHeadersNotADictGivesNone(t *testing.T) {
	defer helpers.CheckMemory(t)()
	for _, p := range []*string{nil, bindings.Str("[]"), bindings.Str("{x"), bindings.Str(builtintest.BadUTF8)} {
		p := p
		builtintest.Handle(t, func(h *bindings.Handlers) { h.Headers = func() *string { return p } })
		builtintest.Expect(t, `
			import util
			out.write(repr(util.headers(http_host='h')))
		`, "None")
	}
}

func TestNoSubprocessOutputEmptyErrorOnUtil(t *testing.T) {
	defer helpers.CheckMemory(t)()
	builtintest.Expect(t, `
		import util
		out.write(repr(hasattr(util, 'SubprocessOutputEmptyError')))
	`, "False")
}
