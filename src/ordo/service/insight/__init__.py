"""Order intelligence: the metrics layer as data and questions in plain language over it
(``ask``), with the same answer for the CLI, the API, the page and the chat bot."""
