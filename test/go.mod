module rtloader/test

go 1.19

require rtloader v0.0.0

// The Go package (go/) and its internal cgo layer, which test/bindings re-exports.
replace rtloader => ../go
