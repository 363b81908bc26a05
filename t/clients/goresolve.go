// goresolve - Go's own resolver (net.Resolver{PreferGo: true}, reading
// /etc/resolv.conf) against taskdns, for the tests.
//
//	goresolve srv SERVICE PROTO NAME   "target port" lines, sorted
//	goresolve host NAME                addresses, sorted
//
// Exit 0 found; 2 not found (a clean *net.DNSError with IsNotFound);
// 1 any other error, printed.
package main

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"sort"
	"time"
)

func main() {
	r := &net.Resolver{PreferGo: true}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	var out []string
	var err error
	switch {
	case len(os.Args) == 5 && os.Args[1] == "srv":
		var srvs []*net.SRV
		_, srvs, err = r.LookupSRV(ctx, os.Args[2], os.Args[3], os.Args[4])
		for _, s := range srvs {
			out = append(out, fmt.Sprintf("%s %d", s.Target, s.Port))
		}
	case len(os.Args) == 3 && os.Args[1] == "host":
		out, err = r.LookupHost(ctx, os.Args[2])
	default:
		fmt.Fprintln(os.Stderr, "usage: goresolve srv SERVICE PROTO NAME | host NAME")
		os.Exit(1)
	}
	if err != nil {
		var de *net.DNSError
		if errors.As(err, &de) && de.IsNotFound {
			fmt.Println("notfound")
			os.Exit(2)
		}
		fmt.Println("error:", err)
		os.Exit(1)
	}
	sort.Strings(out)
	for _, s := range out {
		fmt.Println(s)
	}
}
