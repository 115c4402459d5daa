//! DataGen tool-execution API client.
