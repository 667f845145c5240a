//! Word lists that make demo rows look like a real app's.

pub const FIRST_NAMES: &[&str] = &[
    "Ada", "Alan", "Amara", "Ana", "Aiko", "Ben", "Bianca", "Carlos", "Chen", "Chloe", "Dario", "Dmitri", "Elena",
    "Emeka", "Emma", "Farah", "Felix", "Grace", "Hana", "Hugo", "Ines", "Ivan", "Jonas", "Julia", "Kai", "Kenji",
    "Lars", "Leila", "Liam", "Lucia", "Maya", "Mateo", "Mei", "Nadia", "Nikhil", "Noah", "Olga", "Omar", "Priya",
    "Quinn", "Rafael", "Rosa", "Sami", "Sara", "Sofia", "Tariq", "Teresa", "Tomas", "Uma", "Victor", "Wei", "Yara",
    "Yusuf", "Zara", "Zoe",
];

pub const LAST_NAMES: &[&str] = &[
    "Adeyemi",
    "Andersen",
    "Bauer",
    "Becker",
    "Chen",
    "Costa",
    "Dubois",
    "Fernandez",
    "Fischer",
    "Garcia",
    "Gonzalez",
    "Hansen",
    "Hoffmann",
    "Ibrahim",
    "Ito",
    "Jensen",
    "Kim",
    "Kowalski",
    "Kumar",
    "Larsen",
    "Lee",
    "Lopez",
    "Martin",
    "Meyer",
    "Moreau",
    "Nakamura",
    "Nguyen",
    "Novak",
    "Okafor",
    "Olsen",
    "Patel",
    "Petrov",
    "Popescu",
    "Rossi",
    "Santos",
    "Schmidt",
    "Silva",
    "Singh",
    "Smith",
    "Suzuki",
    "Tanaka",
    "Weber",
    "Wong",
    "Yamamoto",
    "Zhang",
];

pub const DOMAINS: &[&str] =
    &["gmail.com", "outlook.com", "proton.me", "fastmail.com", "yahoo.com", "icloud.com", "acme.dev", "example.org"];

pub const USER_AGENTS: &[&str] = &[
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 14_5) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Safari/605.1.15",
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36",
    "Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0",
    "Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Mobile/15E148 Safari/604.1",
    "Mozilla/5.0 (Linux; Android 15; Pixel 9) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Mobile Safari/537.36",
    "okhttp/4.12.0",
];

pub const BAN_REASONS: &[&str] = &[
    "Spamming other users",
    "Chargeback fraud",
    "Abusive language in support tickets",
    "Multiple accounts to evade limits",
    "Automated scraping",
    "Requested by legal",
    "No reason",
];
