"""Scrapy project: spiders yield RawPost items, an item pipeline hands them to the store."""
