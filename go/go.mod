module rtloader

go 1.19
