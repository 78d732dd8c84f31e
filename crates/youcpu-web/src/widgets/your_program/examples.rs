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

/// A dropped dynamic program's needs.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Needs {
    /// PT_INTERP.
    pub interp: Option<String>,
    /// DT_NEEDED names not dropped yet (the interpreter itself counts as provided, as musl's
    /// libc.so is its own loader).
    pub missing: Vec<String>,
    /// Every DT_NEEDED name.
    pub needed: Vec<String>,
    /// Where the dynamic loader will look, in words.
    pub search: String,
}

/// A dropped file's place in the tree: a loader named by the program's PT_INTERP at that
/// path, a library (`*.so*`) where the loader looks first (`/lib` for musl, the multiarch
/// directory for glibc), anything else in `/bin`.
pub(super) fn place(name: &str, interp: Option<&str>) -> String {
    let base = name.rsplit('/').next().unwrap_or(name);
    if let Some(i) = interp.filter(|i| i.rsplit('/').next() == Some(base)) {
        return i.to_string();
    }
    if base.contains(".so") {
        if interp.is_some_and(|i| i.contains("ld-linux")) {
            return format!("/lib/x86_64-linux-gnu/{base}");
        }
        return format!("/lib/{base}");
    }
    format!("/bin/{base}")
}

/// What a dynamic program needs that the dropped files do not provide.
pub fn needs(program: &[u8], dropped: &[String]) -> Option<Needs> {
    let f = youcpu_core::elf::parse(program).ok()?;
    let interp = f.interp.map(|i| i.path);
    let needed: Vec<String> = f
        .dynamic
        .as_ref()
        .map(|d| d.needed.iter().map(|n| n.value.clone()).collect())
        .unwrap_or_default();
    if interp.is_none() && needed.is_empty() {
        return None;
    }
    let have = |n: &str| {
        dropped
            .iter()
            .any(|d| d.rsplit('/').next() == n.rsplit('/').next())
    };
    let musl = interp.as_deref().is_some_and(|i| i.contains("musl"));
    let mut missing: Vec<String> = interp.iter().filter(|i| !have(i)).cloned().collect();
    for n in &needed {
        // musl's libc.so is its dynamic loader too: providing the loader provides libc.
        let in_loader = musl && n.starts_with("libc.") && interp.as_deref().is_some_and(have);
        if !have(n) && !in_loader && !missing.contains(n) {
            missing.push(n.clone());
        }
    }
    let dyns = f.dynamic.as_ref();
    let mut search = Vec::new();
    if let Some(r) = dyns.and_then(|d| d.rpath.as_ref()) {
        search.push(format!("DT_RPATH {}", r.value));
    }
    search.push("LD_LIBRARY_PATH".to_string());
    if let Some(r) = dyns.and_then(|d| d.runpath.as_ref()) {
        search.push(format!("DT_RUNPATH {}", r.value));
    }
    if musl {
        search.push("/etc/ld-musl-x86_64.path, else /lib:/usr/local/lib:/usr/lib".into());
    } else {
        search.push(
            "/etc/ld.so.cache, then the default directories (/lib/x86_64-linux-gnu, \
             /usr/lib/x86_64-linux-gnu, /lib, /usr/lib on Debian and Ubuntu)"
                .into(),
        );
    }
    Some(Needs {
        interp,
        missing,
        needed,
        search: search.join(", then "),
    })
}

