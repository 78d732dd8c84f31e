//! The programs `your-program` runs: the examples the page offers (their files fetched only
//! when one is picked) and the files a reader drops, each put where the dynamic loader looks,
//! with what a dropped dynamic program still lacks (PT_INTERP, DT_NEEDED, the search path).

use std::rc::Rc;

/// One example program: its id (in links), the path it runs as, the files the page fetches
/// for it (`programs/FILE` next to the page, installed at the path), and its default
/// arguments and input.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Example {
    /// Its id in links.
    pub id: &'static str,
    /// What it shows.
    pub label: &'static str,
    /// The path execve is given.
    pub path: &'static str,
    /// (file under `programs/`, where it goes in the simulated tree).
    pub files: &'static [(&'static str, &'static str)],
    /// Arguments after `argv[0]`.
    pub args: &'static str,
    /// Standard input.
    pub stdin: &'static str,
}

/// The examples, in the order the picker lists them.
pub const EXAMPLES: [Example; 8] = [
    Example {
        id: "hello-dyn",
        label: "hello, dynamically linked (musl)",
        path: "/bin/hello-dyn",
        files: &[
            ("bin/hello-dyn", "/bin/hello-dyn"),
            ("lib/ld-musl-x86_64.so.1", "/lib/ld-musl-x86_64.so.1"),
        ],
        args: "",
        stdin: "",
    },
    Example {
        id: "hello",
        label: "hello, statically linked",
        path: "/bin/hello",
        files: &[("bin/hello", "/bin/hello")],
        args: "",
        stdin: "",
    },
    Example {
        id: "fork",
        label: "fork: a child, copy-on-write, wait",
        path: "/bin/fork",
        files: &[("bin/fork", "/bin/fork")],
        args: "",
        stdin: "",
    },
    Example {
        id: "segv",
        label: "segv: catches its own SIGSEGV",
        path: "/bin/segv",
        files: &[("bin/segv", "/bin/segv")],
        args: "",
        stdin: "",
    },
    Example {
        id: "upper",
        label: "upper: reads standard input",
        path: "/bin/upper",
        files: &[("bin/upper", "/bin/upper")],
        args: "",
        stdin: "Shout this, please.\n",
    },
    Example {
        id: "args",
        label: "args: prints its arguments",
        path: "/bin/args",
        files: &[("bin/args", "/bin/args")],
        args: "one two three",
        stdin: "",
    },
    Example {
        id: "script",
        label: "script: a #! file run by /bin/args",
        path: "/bin/script",
        files: &[("script", "/bin/script"), ("bin/args", "/bin/args")],
        args: "",
        stdin: "",
    },
    Example {
        id: "share",
        label: "share: two processes computing, the timer switching between them",
        path: "/bin/share",
        files: &[("bin/share", "/bin/share")],
        args: "",
        stdin: "",
    },
];

/// A file for the simulated tree: where it goes and its bytes.
pub type File = (String, Rc<Vec<u8>>);
