module github.com/godask/godask

go 1.22

require (
	github.com/apache/arrow/go/v15 v15.0.2 // indirect
	golang.org/x/sync v0.8.0 // indirect
	gonum.org/v1/gonum v0.15.1 // indirect
)
