"""zhengqi-bot: the 政企同行·有需必应 service of Nankai district."""
