module github.com/godask/godask

go 1.22
