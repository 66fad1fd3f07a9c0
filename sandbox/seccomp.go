package sandbox

import (
	"encoding/binary"
	"fmt"

	seccomp "github.com/elastic/go-seccomp-bpf"
	"golang.org/x/net/bpf"
)

// deniedSyscalls fail with EPERM inside the sandbox. The namespaces already take away the network,
// the host's processes and files, and every capability; this list removes the kernel interfaces
// that a test program never needs and that kernel exploits favour (io_uring, BPF, perf events,
// userfaultfd, keyrings, module and kexec loading), plus the ones that would undo the sandbox
// (mount, namespaces, ptrace, handle-based opens).
var deniedSyscalls = []string{
	"bpf", "perf_event_open", "userfaultfd",
	"io_uring_setup", "io_uring_enter", "io_uring_register",
	"keyctl", "add_key", "request_key",
	"ptrace", "process_vm_readv", "process_vm_writev",
	"mount", "umount2", "pivot_root", "unshare", "setns",
	"open_by_handle_at", "name_to_handle_at",
	"init_module", "finit_module", "delete_module", "kexec_load", "kexec_file_load",
	"reboot", "swapon", "swapoff", "syslog", "acct", "quotactl",
	"settimeofday", "clock_settime", "adjtimex", "clock_adjtime",
	"iopl", "ioperm", "fanotify_init", "lookup_dcookie", "vhangup",
}

// seccompFilter assembles the deny list for the running architecture into the raw struct
// sock_filter array that bubblewrap's --seccomp reads.
func seccompFilter() ([]byte, error) {
	policy := seccomp.Policy{
		DefaultAction: seccomp.ActionAllow,
		Syscalls:      []seccomp.SyscallGroup{{Action: seccomp.ActionErrno, Names: deniedSyscalls}},
	}
	insts, err := policy.Assemble()
	if err != nil {
		return nil, err
	}
	raw, err := bpf.Assemble(insts)
	if err != nil {
		return nil, fmt.Errorf("assemble BPF: %w", err)
	}
	out := make([]byte, 0, 8*len(raw))
	for _, r := range raw {
		out = binary.NativeEndian.AppendUint16(out, r.Op)
		out = append(out, r.Jt, r.Jf)
		out = binary.NativeEndian.AppendUint32(out, r.K)
	}
	return out, nil
}
