/* PLACEHOLDER (lead's build); the owner replaces this file. */
