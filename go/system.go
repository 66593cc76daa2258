package rtloader

import "rtloader/internal/capi"

// Tagger answers tagger.tag / tagger.get_tags.
type Tagger interface {
	Tags(entityID string, cardinality TagCardinality) []string
}

// Subprocess runs the commands of _util.subprocess_output (called without the GIL). env is nil
// when the check gave none (inherit the host's environment). An error is raised in Python as
// Exception(<text>).
type Subprocess interface {
	SubprocessOutput(argv, env []string) (stdout, stderr string, returnCode int, err error)
}

// Containers answers containers.is_excluded. namespace is "" when the check passed none.
type Containers interface {
	IsExcluded(name, image, namespace string) bool
}

// Kubernetes answers kubeutil.get_connection_info (a JSON object for Python; nil: None).
type Kubernetes interface {
	ConnectionInfo() any
}

func (NopHost) Tags(string, TagCardinality) []string { return nil }
func (NopHost) SubprocessOutput([]string, []string) (string, string, int, error) {
	return "", "", 0, ErrNotSupported
}
func (NopHost) IsExcluded(string, string, string) bool { return false }
func (NopHost) ConnectionInfo() any                    { return nil }

func systemHandlers(h Host, hs *capi.Handlers) {
	hs.Tags = func(entityID string, cardinality int) []string {
		if tags := h.Tags(entityID, TagCardinality(cardinality)); tags != nil {
			return tags
		}
		return []string{}
	}
	hs.GetSubprocessOutput = func(argv, env []string) (*string, *string, int, *string) {
		out, errOut, rc, err := h.SubprocessOutput(argv, env)
		if err != nil {
			return nil, nil, 0, errText(err)
		}
		return &out, &errOut, rc, nil
	}
	hs.IsExcluded = func(name, image string, namespace *string) int {
		if h.IsExcluded(name, image, strOrEmpty(namespace)) {
			return 1
		}
		return 0
	}
	hs.GetConnectionInfo = func() *string { return jsonOf(h.ConnectionInfo()) }
}
