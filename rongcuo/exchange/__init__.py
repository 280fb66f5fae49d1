"""Excel exchange 「数据导入导出」: import units, cadres and accountability matters from a documented workbook
(docs/exchange-format.md) with a validation report, and export case lists, statistics and the standing
result-use records to .xlsx. Views, the API and the command line call rongcuo.exchange.actions."""
