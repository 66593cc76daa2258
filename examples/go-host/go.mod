module go-host

go 1.19

require rtloader v0.0.0

// The Go package of this repository (go/).
replace rtloader => ../../go
