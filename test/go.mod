module rtloader/test

go 1.19
