package helpers

import (
	"fmt"

	"rtloader/test/bindings"
)

// LoadClass imports module with get_class and returns its check class; the module reference is
// released. [GIL]
func LoadClass(r *bindings.Rtloader, module string) (bindings.PyObject, error) {
	m, c, ok := r.GetClass(module)
	if !ok {
		return nil, fmt.Errorf("get_class(%q): %s", module, r.Error())
	}
	r.Decref(m)
	return c, nil
}

// NewCheck instantiates module's check class with get_check(initConfig, instance, checkID, name)
// and no provider; the class reference is released. [GIL]
func NewCheck(r *bindings.Rtloader, module, initConfig, instance, checkID, name string) (bindings.PyObject, error) {
	c, err := LoadClass(r, module)
	if err != nil {
		return nil, err
	}
	defer r.Decref(c)
	chk, ok := r.GetCheck(c, initConfig, instance, checkID, name, "")
	if !ok || chk == nil {
		return nil, fmt.Errorf("get_check(%s, instance %q, check_id %q): %s", module, instance, checkID, r.Error())
	}
	return chk, nil
}
