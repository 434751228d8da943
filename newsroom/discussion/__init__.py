"""Reader discussion: the moderation policy, the decisions every status change goes
through, posting a comment, the comment form, word matching and the moderators' email."""
