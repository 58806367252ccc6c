package main

import (
	"bufio"
	"fmt"
	"net/http"
	"os"
	"strings"

	"github.com/godask/godask/sched/dashboard"
)

// openDashboard serves the dashboard and reads its event stream as an open
// page would, for the overhead suite's -dashboard flag; stop closes both.
func openDashboard() (stop func(), err error) {
	srv, err := dashboard.Serve("", dashboard.WithOutput(os.Stderr))
	if err != nil {
		return nil, err
	}
	u := strings.Replace(srv.URL(), "/?token=", "/api/events?token=", 1)
	resp, err := http.Get(u)
	if err != nil {
		srv.Close()
		return nil, fmt.Errorf("open the dashboard's event stream: %w", err)
	}
	frames := make(chan int)
	go func() {
		n := 0
		sc := bufio.NewScanner(resp.Body)
		sc.Buffer(nil, 64<<20)
		for sc.Scan() {
			if strings.HasPrefix(sc.Text(), "data: ") {
				n++
			}
		}
		frames <- n
	}()
	return func() {
		srv.Close()
		resp.Body.Close()
		fmt.Fprintf(os.Stderr, "dashboard: the page got %d frames\n", <-frames)
	}, nil
}
