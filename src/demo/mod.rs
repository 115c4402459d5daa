//! The built-in demo server: DataGen's protocol on 127.0.0.1 with fictional data.
